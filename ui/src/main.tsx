import { render } from 'solid-js/web';
import { App } from './App';
import { connect } from './connection';
import './styles.css';

connect();
render(() => <App />, document.getElementById('app') as HTMLElement);
